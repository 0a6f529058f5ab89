# shellcheck shell=bash disable=SC2034  # sourced; the PIDs are for the caller
# Sourced by scripts/demo.sh and tests/root/demo/*: a private D-Bus system bus with a real polkitd,
# for machines where none runs (a bare container, a test sandbox). Bash.
#
# start_private_system_bus DIR [--like-a-desktop]: starts dbus-daemon on DIR/system_bus_socket
# with the machine's system bus configuration (its default-deny policy and the policy files
# installed in /usr/share/dbus-1/system.d), run by root without the activation helper,
# activating only io.peertun.Helper1 (if installed now); then polkitd on it. With
# --like-a-desktop it activates from the standard directories like the real system bus, so a
# service installed later is found after ReloadConfig (test sandboxes only: without the
# activation helper every service would start as root). Sets and exports
# DBUS_SYSTEM_BUS_ADDRESS; sets PRIVATE_BUS_PID and PRIVATE_POLKIT_PID (stop them yourself).
# Returns non-zero with a message on stderr if either does not come up.
start_private_system_bus() {
    local dir=$1 _ servicedirs
    mkdir -p "$dir/services" || return 1
    servicedirs="<servicedir>$dir/services</servicedir>"
    [ "${2:-}" = --like-a-desktop ] && servicedirs="<standard_system_servicedirs/>"
    if [ -f /usr/share/dbus-1/system-services/io.peertun.Helper1.service ]; then
        cp /usr/share/dbus-1/system-services/io.peertun.Helper1.service "$dir/services/"
    fi
    sed -e '/<user>/d; /<fork\/>/d; /<syslog\/>/d; /<pidfile>/d; /<servicehelper>/d' \
        -e "s|<listen>.*</listen>|<listen>unix:path=$dir/system_bus_socket</listen>|" \
        -e "s|<standard_system_servicedirs/>|$servicedirs|" \
        -e 's|<includedir>system.d</includedir>|<includedir>/usr/share/dbus-1/system.d</includedir>|' \
        /usr/share/dbus-1/system.conf > "$dir/system.conf" || return 1
    dbus-daemon --config-file="$dir/system.conf" --nofork --nosyslog 2>"$dir/bus.log" &
    PRIVATE_BUS_PID=$!
    for _ in $(seq 50); do [ -S "$dir/system_bus_socket" ] && break; sleep 0.1; done
    if [ ! -S "$dir/system_bus_socket" ]; then
        echo "the private system bus did not start: $(cat "$dir/bus.log")" >&2
        return 1
    fi
    export DBUS_SYSTEM_BUS_ADDRESS=unix:path=$dir/system_bus_socket
    /usr/lib/polkit-1/polkitd --no-debug >"$dir/polkit.log" 2>&1 &
    PRIVATE_POLKIT_PID=$!
    for _ in $(seq 50); do
        dbus-send --system --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
            org.freedesktop.DBus.NameHasOwner string:org.freedesktop.PolicyKit1 2>/dev/null |
            grep -q 'boolean true' && return 0
        sleep 0.1
    done
    echo "polkitd did not come up on the private bus: $(cat "$dir/polkit.log")" >&2
    return 1
}
