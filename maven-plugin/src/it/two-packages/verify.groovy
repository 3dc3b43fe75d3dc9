// Two programs in two packages (one with a configured class name) and a test program.
def classes = new File(basedir, 'target/classes')
for (name in ['com/acme/loss/LinearKernel', 'com/acme/loss/Linear', 'org/other/OtherLossKernel',
              'org/other/OtherLoss', 'com/acme/loss/Scores', 'com/acme/loss/ScoresKernel',
              'app/Both']) {
  assert new File(classes, name + '.class').isFile() : name
}
assert new File(basedir, 'target/generated-sources/gradc/org/other/OtherLoss.java').isFile()
assert new File(basedir, 'target/generated-test-sources/gradc/checks/Logistic.java').isFile()
assert new File(basedir, 'target/test-classes/checks/LogisticKernel.class').isFile()
assert new File(basedir, 'target/test-classes/checks/Logistic.class').isFile()
assert !new File(classes, 'checks').exists()
def log = new File(basedir, 'build.log').text
assert log.contains('gradc: compiled com/acme/loss/linear.grad to com.acme.loss.Linear')
assert log.contains('gradc: compiled org/other/loss.grad to org.other.OtherLoss')
assert log.contains('gradc: compiled checks/logistic.grad to checks.Logistic')
// The settings of single programs: fixed dims checked by the facade, a dtype override.
def other = new File(basedir, 'target/generated-sources/gradc/org/other/OtherLoss.java').text
assert other.contains('the build fixes {@code N = 4}')
assert other.contains('"x has " + x.length + " elements; f64[N, 3] with N = 4 needs 12"')
// A forward program with two results: value into a Result or the caller's arrays, and vjp.
def scores = new File(basedir, 'target/generated-sources/gradc/com/acme/loss/Scores.java').text
assert scores.contains('public static Result value(double[] x, double[] w) {')
assert scores.contains('public static Gradients vjp(double[] x, double[] w, double[] gradScores, double[] gradOutput1) {')
def logistic = new File(basedir, 'target/generated-test-sources/gradc/checks/Logistic.java').text
assert logistic.contains('public static float value(float[] x, float[] y, float[] w, float[] b)')
assert !new File(basedir, 'target/generated-sources/gradc/com/acme/loss/Linear.java').text.contains('float')
return true
