# Sourced by the CI scripts: `phase NAME COMMAND...` runs one step of CI, says when it starts and how long it took,
# and at exit (success or failure) prints a table of every phase's time, so a slow or failing step is plain to see.
_phase_table=()
phase() {
  local name=$1 start=$SECONDS status=0
  shift
  echo "::: phase: $name"
  "$@" || status=$?
  local took=$((SECONDS - start))
  _phase_table+=("$(printf '%-26s %4d:%02d  %s' "$name" $((took / 60)) $((took % 60)) "$([ $status = 0 ] && echo ok || echo "FAILED ($status)")")")
  echo "::: phase: $name took ${took}s$([ $status = 0 ] || echo ", FAILED with $status")"
  return $status
}
_phase_summary() {
  local status=$?
  echo '::: phase times'
  printf '%s\n' "${_phase_table[@]}"
  printf '%-26s %4d:%02d\n' total $((SECONDS / 60)) $((SECONDS % 60))
  return $status
}
trap _phase_summary EXIT
