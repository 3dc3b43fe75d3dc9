// Checks of the example project's build, run by the gradc-maven-plugin integration tests
// (maven-invoker-plugin) after `mvn verify` succeeded on a copy of this project.
import java.util.jar.JarFile
import javax.tools.ToolProvider

def log = new File(basedir, 'build.log').text
// The integration tests build this project with the Maven running the main build and with a second
// one (mavenVersion tells which): build.log begins with the version of the Maven that built it.
def builtBy = (log =~ /Apache Maven ([0-9][0-9.]*[0-9])/)[0][1]
assert builtBy == mavenVersion : "built by Maven ${builtBy}, not ${mavenVersion}"
assert log.contains('gradc: compiled com/example/fit/mse_loss.grad to com.example.fit.MseLoss')

// The kernel classes are in the packaged jar, beside the compiled facade.
def jar = new JarFile(new File(basedir, 'target/gradc-maven-example-1.0.jar'))
try {
  for (name in ['MseLossKernel', 'MseLossKernel$Value', 'MseLossKernel$Grad', 'MseLoss', 'Fit']) {
    assert jar.getEntry("com/example/fit/${name}.class") != null : name
  }
} finally {
  jar.close()
}

// The tests ran (against the PyTorch fixture) and passed.
def report = new File(basedir, 'target/surefire-reports/TEST-com.example.fit.FitTest.xml').text
assert report =~ /tests="4"/
assert report =~ /failures="0"/ && report =~ /errors="0"/ && report =~ /skipped="0"/

// The generated facade's Javadoc builds with every doclint check, warnings as errors.
def facade = new File(basedir, 'target/generated-sources/gradc/com/example/fit/MseLoss.java')
def javadoc = ToolProvider.getSystemDocumentationTool()
def out = new StringWriter()
def status = javadoc.getTask(out, null, null, null,
    ['-d', new File(basedir, 'target/gradc-javadoc').path, '-quiet', '-Xdoclint:all', '-Werror',
     '-cp', new File(basedir, 'target/classes').path],
    javadoc.getStandardFileManager(null, null, null).getJavaFileObjects(facade)).call()
assert status : "javadoc of the facade failed:\n" + out
assert new File(basedir, 'target/gradc-javadoc/com/example/fit/MseLoss.html').isFile()

// The README's "Use from Maven" snippet is this project's plugin element, line for line.
def readme = new File(basedir, '../../../../README.md').text
def section = readme.substring(readme.indexOf('## Use from Maven'))
def snippet = (section =~ /(?s)```xml\n(.*?)```/)[0][1]
def strip = { String s -> s.readLines()*.trim().findAll { it }.join('\n') }
assert strip(new File(basedir, 'pom.xml').text).contains(strip(snippet)) : "README snippet:\n" + snippet
return true
