# free_port: print a TCP port on 127.0.0.1 that nothing listens on, chosen
# below 32768 so it can never be an ephemeral port the kernel hands to an
# outgoing connection of a test running alongside (ctest runs in parallel).
# Ports given as arguments are avoided (for a second server of one test).
free_port() {
  local p
  for _ in $(seq 1 200); do
    p=$((20000 + RANDOM % 12000))
    case " $* " in *" $p "*) continue ;; esac
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
      echo "$p"
      return 0
    fi
  done
  echo "free_port: no free port found" >&2
  return 1
}
