#!/bin/bash
# unit-syscall-filter.sh UNIT_FILE: the system calls a unit's SystemCallFilter= lines allow, one
# a line, as this machine's systemd expands them (groups such as @system-service followed into
# their nested groups, plain names kept; several lines add up, as in systemd). Fed to
# seccomp_exec, it gives a process the unit's filter without systemd as PID 1. Fails when the
# unit has no filter, uses a deny list (~...), or the expansion looks wrong (under 100 calls).
set -uo pipefail
unit=${1:?usage: unit-syscall-filter.sh UNIT_FILE}
command -v systemd-analyze >/dev/null || { echo "systemd-analyze is not installed" >&2; exit 1; }
entries=$(sed -n 's/^SystemCallFilter=//p' "$unit") || exit 1
[ -n "$entries" ] || { echo "$unit has no SystemCallFilter=" >&2; exit 1; }
case "$entries" in *"~"*) echo "$unit: deny lists (~) are not supported here" >&2; exit 1 ;; esac
seen=" " queue=() out=()
read -r -a queue <<<"$(echo $entries)"
while [ ${#queue[@]} -gt 0 ]; do
    g=${queue[0]}; queue=("${queue[@]:1}")
    case "$seen" in *" $g "*) continue ;; esac
    seen="$seen$g "
    case "$g" in
    @*) ;;
    *) out+=("$g"); continue ;;
    esac
    while read -r entry; do
        case "$entry" in
        "" | "#"* | "$g") ;;
        @*) queue+=("$entry") ;;
        *) out+=("$entry") ;;
        esac
    done < <(systemd-analyze syscall-filter "$g" 2>/dev/null)
done
list=$(printf '%s\n' "${out[@]}" | sort -u)
n=$(wc -l <<<"$list")
[ "$n" -gt 100 ] || { echo "$unit: the filter expanded to only $n system calls" >&2; exit 1; }
echo "$list"
