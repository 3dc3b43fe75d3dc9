// The build failed with gradc's diagnostic, as `gradc compile` prints it: FILE:LINE:COL: error:
// MESSAGE, the source line, and a caret under the column. The program beside it compiled.
def log = new File(basedir, 'build.log').text
def file = new File(basedir, 'src/main/gradc/bad/broken.grad').path
def expected = "[ERROR] ${file}:3:12: error: '(' was never closed\n" +
    'return mean((x * w) ** 2\n' +
    ' ' * 11 + '^\n'
assert log.contains(expected) : log
assert log.contains('gradc: compiled bad/fine.grad to bad.Fine')
assert log.contains('gradc: 1 compiled, 0 up to date, 0 removed, 1 failed')
assert log.contains('gradc: 1 program failed to compile:')
assert log.contains('BUILD FAILURE')
assert !new File(basedir, 'target/classes/bad/BrokenKernel.class').exists()
return true
