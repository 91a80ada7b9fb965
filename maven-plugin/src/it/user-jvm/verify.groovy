// The project's own jvm is kept: no wrapper, and one line that says so.
def log = new File(basedir, 'build.log').text
def said = log.readLines().findAll { it.startsWith('[INFO] junit-netns: mode') || it.startsWith('[WARNING] junit-netns: the test JVMs') }
assert said.size() == 1 : "one line from the plugin, not: ${said}"
assert said[0].startsWith('[INFO] junit-netns: mode off (the pom sets jvm to ') : said[0]
assert said[0].contains(', and left as it is; without it junitnetns.mode=auto would choose): the test JVMs start through it') : said[0]
assert !new File(basedir, 'target/junit-netns/bin/java').exists()
def report = new File(basedir, 'target/surefire-reports/TEST-it.PlainTest.xml').text
assert report =~ /<testsuite [^>]*\btests="1"/
assert report =~ /<testsuite [^>]*\bfailures="0"/
true
