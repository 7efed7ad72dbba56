# Sourced by the benchmarks that can run on a stack of their own (--own-stack).
#
# start_private_stack PORT [key=value ...]: starts PrivateStack.java (a whole stack: gateway on PORT,
# services on the next five, infrastructure on free ports, the Spring properties given for every service)
# in a fresh folder, waits until it answers, and stops it (and deletes the folder) when the script exits.
# Sets stack_dir (its data are in $stack_dir/data, its secrets in $stack_dir/data/infra/secrets.properties)
# and stack_s3 (the object store's endpoint). The jars must be built.
start_private_stack() {
  local port="$1"
  shift
  local root
  root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
  source "$root/deploy/local/env.sh"
  stack_dir="$(mktemp -d /tmp/barrage-bench-stack-XXXX)"
  mkfifo "$stack_dir/stdin"
  (cd "$root" && exec java -Xmx256m -cp "deploy/infra/target/classes:$(cat deploy/infra/target/classpath.txt)" \
    deploy/bench/lib/PrivateStack.java "$stack_dir/data" "$port" "$@" \
    <"$stack_dir/stdin" >"$stack_dir/stack.log" 2>&1) &
  stack_pid=$!
  exec 9>"$stack_dir/stdin" # closing fd 9 stops the stack
  trap stop_private_stack EXIT
  echo "starting a private stack in $stack_dir (log: stack.log)…"
  until grep -q READY "$stack_dir/stack.log" 2>/dev/null; do
    kill -0 "$stack_pid" 2>/dev/null || { tail -n 30 "$stack_dir/stack.log" >&2; exit 1; }
    sleep 1
  done
  stack_s3="$(sed -n 's/^S3 //p' "$stack_dir/stack.log" | head -n 1)"
}

stop_private_stack() {
  exec 9>&-
  wait "$stack_pid" 2>/dev/null || true
  rm -rf "$stack_dir"
}
