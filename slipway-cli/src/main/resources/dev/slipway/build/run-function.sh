slipway_run() {
  slipway_home=$1
  shift
@PRELUDE@  # JAVA_OPTS is split into words on purpose, as other JVM launch scripts do.
  # shellcheck disable=SC2086
  exec "$slipway_home/runtime/bin/java" @JVM_OPTIONS@${JAVA_OPTS:-} -cp "@CLASSPATH@" '@MAIN@' @ARGS@"$@"
}
