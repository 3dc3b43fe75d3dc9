// Two builds of the unchanged project (the log holds both): the first compiled both programs,
// the second compiled nothing.
def log = new File(basedir, 'build.log').text
def summaries = log.readLines().findAll { it.contains('gradc: ') && it.contains(' compiled, ') }
assert summaries.size() == 2 : summaries
assert summaries[0].contains('gradc: 2 compiled, 0 up to date, 0 removed, 0 failed') : summaries
assert summaries[1].contains('gradc: 0 compiled, 2 up to date, 0 removed, 0 failed') : summaries
assert log.count('gradc: compiled ') == 2
assert log.contains('gradc: fit/linear.grad is up to date')
assert log.contains('gradc: fit/logistic.grad is up to date')
assert new File(basedir, 'target/classes/fit/LinearKernel.class').isFile()
assert new File(basedir, 'target/classes/fit/Logistic.class').isFile()
return true
