slipway_run() {
  slipway_home=$1
  shift
@PRELUDE@  # JAVA_OPTS is split into words on purpose, as other JVM launch scripts do. Options and
  # arguments from slipway.yaml are single-quoted on purpose: a $ in them is text, not an expansion.
  # shellcheck disable=SC2086,SC2016
  exec "$slipway_home/runtime/bin/java" @JVM_OPTIONS@${JAVA_OPTS:-} -cp "@CLASSPATH@" '@MAIN@' @ARGS@"$@"
}
