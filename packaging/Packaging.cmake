# Debian packages of peertun, built by CPack from the project's own install rules (the same
# rules `cmake --install` and scripts/demo.sh use):
#   peertun-helper  the root helper, its D-Bus, polkit and systemd files, and peertunctl:
#                   what a server needs, no Qt Widgets
#   peertun         the desktop app (Qt Widgets), depending on peertun-helper of its version
# `cpack -G DEB` in a build tree (or scripts/package.sh) writes peertun_VERSION_ARCH.deb and
# peertun-helper_VERSION_ARCH.deb. docs/packaging.md says what is in them and why.
# Included from the top-level CMakeLists.txt before include(CPack).

set(peertun_packaging ${CMAKE_CURRENT_LIST_DIR})
set(peertun_packaging_out ${PROJECT_BINARY_DIR}/packaging)

# The version has one source, project(VERSION); the changelog's newest entry must name it.
file(STRINGS ${peertun_packaging}/changelog peertun_changelog_top LIMIT_COUNT 1)
if(NOT peertun_changelog_top MATCHES "^peertun \\(${PROJECT_VERSION}\\) ")
    message(FATAL_ERROR "packaging/changelog: the newest entry is \"${peertun_changelog_top}\"; "
        "it must be for version ${PROJECT_VERSION} (project(VERSION) in CMakeLists.txt)")
endif()

# Debian wants the changelog and the man pages gzip'ed without a timestamp (gzip -n).
find_program(PEERTUN_GZIP gzip REQUIRED)
set(peertun_gz_outputs)
function(peertun_gzip source output)
    add_custom_command(OUTPUT ${output}
        COMMAND ${PEERTUN_GZIP} -9nc ${source} > ${output}
        DEPENDS ${source} VERBATIM)
    list(APPEND peertun_gz_outputs ${output})
    set(peertun_gz_outputs ${peertun_gz_outputs} PARENT_SCOPE)
endfunction()
peertun_gzip(${peertun_packaging}/changelog ${peertun_packaging_out}/changelog.gz)
foreach(page peertunctl.1 peertun.1 peertun-helper.8)
    configure_file(${peertun_packaging}/man/${page} ${peertun_packaging_out}/${page} @ONLY)
    peertun_gzip(${peertun_packaging_out}/${page} ${peertun_packaging_out}/${page}.gz)
endforeach()
add_custom_target(peertun_package_docs ALL DEPENDS ${peertun_gz_outputs})

# Per package: copyright and changelog in /usr/share/doc/PACKAGE, man pages of its commands.
install(FILES ${peertun_packaging}/copyright ${peertun_packaging_out}/changelog.gz
    DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/peertun-helper COMPONENT helper)
install(FILES ${peertun_packaging_out}/peertunctl.1.gz
    DESTINATION ${CMAKE_INSTALL_MANDIR}/man1 COMPONENT helper)
install(FILES ${peertun_packaging_out}/peertun-helper.8.gz
    DESTINATION ${CMAKE_INSTALL_MANDIR}/man8 COMPONENT helper)
install(FILES ${peertun_packaging}/copyright ${peertun_packaging_out}/changelog.gz
    DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/peertun COMPONENT app)
install(FILES ${peertun_packaging_out}/peertun.1.gz
    DESTINATION ${CMAKE_INSTALL_MANDIR}/man1 COMPONENT app)

# --- CPack: DEB, one package per component ----------------------------------------------------
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME peertun)
set(CPACK_PACKAGE_VENDOR "peertun maintainers")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PROJECT_CONFIG_FILE ${peertun_packaging}/CPackProjectConfig.cmake)
set(PEERTUN_PACKAGE_MAINTAINER
    "peertun maintainers <maintainers@users.noreply.r-seed-81d6af4c.example>"
    CACHE STRING "Maintainer field of the Debian packages")
set(CPACK_PACKAGE_CONTACT "${PEERTUN_PACKAGE_MAINTAINER}")
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${PEERTUN_PACKAGE_MAINTAINER}")
# The install rules have absolute destinations (/usr/share/dbus-1, /lib/systemd/system...):
# stage them through DESTDIR, with /usr as the prefix.
set(CPACK_SET_DESTDIR ON)
set(CPACK_INSTALL_PREFIX /usr)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_ALL helper app)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)            # NAME_VERSION_ARCH.deb
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)             # Depends from the binaries' libraries
set(CPACK_DEBIAN_ENABLE_COMPONENT_DEPENDS ON)      # peertun -> peertun-helper (= VERSION)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_COMPRESSION_TYPE xz)

set(CPACK_COMPONENT_HELPER_DISPLAY_NAME "peertun helper and command line")
set(CPACK_DEBIAN_HELPER_PACKAGE_NAME peertun-helper)
# What runs beside the binaries: the system bus (and its activation helper) and polkitd,
# which decides who may bring tunnels up.
set(CPACK_DEBIAN_HELPER_PACKAGE_DEPENDS "dbus, polkitd")
set(CPACK_DEBIAN_HELPER_PACKAGE_CONTROL_EXTRA
    ${peertun_packaging}/debian/peertun-helper/postinst
    ${peertun_packaging}/debian/peertun-helper/prerm
    ${peertun_packaging}/debian/peertun-helper/postrm)
set(CPACK_COMPONENT_HELPER_DESCRIPTION
"point-to-point VPN over UDP: root helper and command line
peertun connects hosts with point-to-point tunnels: IP packets over UDP,
either in plain mode (byte-compatible with flannel's UDP backend) or
encrypted with the WireGuard protocol, interoperable with wireguard-go and
kernel WireGuard peers.
.
This package holds peertun-helper, the D-Bus system service that owns the
TUN devices and forwards the packets (polkit decides who may bring a tunnel
up), its bus policy and activation file, the polkit action, the systemd units
(peertun@NAME runs /etc/peertun/NAME.json headless, for servers), and
peertunctl, the command line over the helper's D-Bus interface.")

set(CPACK_COMPONENT_APP_DISPLAY_NAME "peertun desktop app")
set(CPACK_COMPONENT_APP_DEPENDS helper)
set(CPACK_DEBIAN_APP_PACKAGE_NAME peertun)
# The SVG image plugin draws the window and tray icons; shlibdeps cannot see plugins.
set(CPACK_DEBIAN_APP_PACKAGE_DEPENDS "libqt6svg6")
set(CPACK_COMPONENT_APP_DESCRIPTION
"point-to-point VPN over UDP: desktop app
peertun connects hosts with point-to-point tunnels: IP packets over UDP,
either in plain mode (byte-compatible with flannel's UDP backend) or
encrypted with the WireGuard protocol, interoperable with wireguard-go and
kernel WireGuard peers.
.
This package holds the desktop app: it lists your profiles with each
tunnel's state, connects and disconnects them through the helper, edits
profiles with the helper's own validator, imports wg-quick files and shows
live counters, a throughput graph and the helper's log.")
