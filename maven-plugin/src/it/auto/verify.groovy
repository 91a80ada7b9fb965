// The plugin said once what it chose, consistent with this user's privileges, and the namespace
// test ran and passed: not skipped.
def log = new File(basedir, 'build.log').text
def said = log.readLines().findAll { it.startsWith('[INFO] junit-netns: mode') || it.startsWith('[WARNING] junit-netns: the test JVMs') }
assert said.size() == 1 : "one line from the plugin, not: ${said}"
def capEff = new File('/proc/self/status').readLines().find { it.startsWith('CapEff:') }.split(/\s+/)[1]
boolean capSysAdmin = ((Long.parseUnsignedLong(capEff, 16) >> 21) & 1L) == 1L
if (capSysAdmin) {
  assert said[0].startsWith('[INFO] junit-netns: mode root (junitnetns.mode=auto, and this build runs with CAP_SYS_ADMIN)') : said[0]
} else {
  assert said[0] ==~ /\[INFO\] junit-netns: mode (rootless|sudo) \(junitnetns\.mode=auto, no CAP_SYS_ADMIN.*/ : said[0]
  assert new File(basedir, 'target/junit-netns/bin/java').canExecute()
}
def report = new File(basedir, 'target/surefire-reports/TEST-it.NamespaceTest.xml').text
def suite = (report =~ /<testsuite [^>]*>/)[0]
['tests': '2', 'failures': '0', 'errors': '0', 'skipped': '0'].each { attribute, expected ->
  def value = (suite =~ /\b${attribute}="(\d+)"/)[0][1]
  assert value == expected : "${attribute}=${value} in ${suite}"
}
true
