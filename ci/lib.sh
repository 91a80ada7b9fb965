# Sourced by the ci/run-* scripts; not run on its own.

# The JDK the test JVMs use: $JAVA_HOME's when set (as actions/setup-java does), else `java` on
# PATH. The jvm wrappers (ci/*/bin/java) start it from JUNIT_NETNS_REAL_JAVA, never from
# JAVA_HOME, which Failsafe points at the wrapper's own directory.
export_real_java() {
  local java_bin
  if [[ -n ${JAVA_HOME:-} && -x $JAVA_HOME/bin/java ]]; then
    java_bin=$JAVA_HOME/bin/java
  elif ! java_bin=$(command -v java); then
    echo "$0: no java: set JAVA_HOME to a JDK 17 or later, or put its bin/ on PATH" >&2
    exit 1
  fi
  JUNIT_NETNS_REAL_JAVA=$(readlink -f "$java_bin")
  export JUNIT_NETNS_REAL_JAVA
}

# CI must not pass because privileged tests skipped themselves: junit-netns fails them instead.
# Surefire and Failsafe hand Maven's -D user properties to the test JVMs as system properties,
# which JUnit reads as configuration parameters.
readonly FAIL_UNPRIVILEGED=-Djunit.netns.unprivileged=fail
