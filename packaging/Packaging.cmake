# Installers: desktop integration files and CPack settings. Included from the top-level
# CMakeLists.txt after add_subdirectory(app), so the syncpilot and syncpilot-cli targets exist
# (their own install() rules live in app/CMakeLists.txt).
#
#   cmake --preset release && cmake --build --preset release
#   cd build/release && cpack -G DEB          # -> syncpilot_<version>_<arch>.deb
#
# See packaging/README.md for the Depends list and the RPM, Windows and macOS notes.
include(GNUInstallDirs)

set(SYNCPILOT_APP_ID "io.github.syncpilot.SyncPilot")
set(SYNCPILOT_PACKAGE_MAINTAINER "SyncPilot Maintainers <maintainers@syncpilot.invalid>"
    CACHE STRING "Maintainer (\"Name <email>\") written into the installers")
set(_pkg_dir "${CMAKE_CURRENT_LIST_DIR}")

# --- Desktop integration (freedesktop.org) ------------------------------------------------------
if(UNIX AND NOT APPLE)
    install(FILES "${_pkg_dir}/${SYNCPILOT_APP_ID}.desktop"
            DESTINATION "${CMAKE_INSTALL_DATADIR}/applications")
    install(FILES "${_pkg_dir}/${SYNCPILOT_APP_ID}.metainfo.xml"
            DESTINATION "${CMAKE_INSTALL_DATADIR}/metainfo")
    foreach(_size IN ITEMS 16 32 48 64 128 256)
        install(FILES "${_pkg_dir}/icons/${_size}x${_size}/${SYNCPILOT_APP_ID}.png"
                DESTINATION "${CMAKE_INSTALL_DATADIR}/icons/hicolor/${_size}x${_size}/apps")
    endforeach()
    install(FILES "${_pkg_dir}/icons/${SYNCPILOT_APP_ID}.svg"
            DESTINATION "${CMAKE_INSTALL_DATADIR}/icons/hicolor/scalable/apps")
endif()

# --- Qt runtime deployment for self-contained installers (Windows, macOS) -------------------------
# Qt 6.4 API: FILENAME_VARIABLE (OUTPUT_SCRIPT is 6.5+). Runs windeployqt / macdeployqt at install
# time; on Linux the distribution's Qt packages are used instead (see the Depends list below).
# macdeployqt only handles MACOSX_BUNDLE targets. Untested here: no Windows or macOS builder.
if(WIN32 OR APPLE)
    qt_generate_deploy_app_script(TARGET syncpilot FILENAME_VARIABLE _syncpilot_deploy_script)
    install(SCRIPT "${_syncpilot_deploy_script}")
endif()

# --- Common CPack settings ------------------------------------------------------------------------
set(CPACK_PACKAGE_NAME "syncpilot")
set(CPACK_PACKAGE_VENDOR "The SyncPilot developers")
set(CPACK_PACKAGE_CONTACT "${SYNCPILOT_PACKAGE_MAINTAINER}")
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_PACKAGE_VERSION_MAJOR "${PROJECT_VERSION_MAJOR}")
set(CPACK_PACKAGE_VERSION_MINOR "${PROJECT_VERSION_MINOR}")
set(CPACK_PACKAGE_VERSION_PATCH "${PROJECT_VERSION_PATCH}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
# Set explicitly: otherwise CPack falls back to CMake's generic placeholder description file.
set(CPACK_PACKAGE_DESCRIPTION
    "SyncPilot turns data-sync features on for a growing share of their consumers, watches health
by cohort, rolls back by itself when a guardrail trips, and offers one button that returns
everything to the safe legacy path at once. It ships the desktop console (syncpilot) and the
command-line tool and headless agent (syncpilot-cli); a workspace is a local SQLite file or a
shared PostgreSQL database.")
set(CPACK_PACKAGE_INSTALL_DIRECTORY "SyncPilot")
set(CPACK_PACKAGE_EXECUTABLES "syncpilot;SyncPilot")
set(CPACK_STRIP_FILES ON)
set(CPACK_VERBATIM_VARIABLES ON)
set(CPACK_SOURCE_IGNORE_FILES "/\\.git/" "/build/" "/node_modules/" "\\.user$")

if(WIN32)
    set(CPACK_GENERATOR "NSIS;WIX")
elseif(APPLE)
    set(CPACK_GENERATOR "DragNDrop")
else()
    set(CPACK_GENERATOR "DEB")
endif()

# --- Debian ---------------------------------------------------------------------------------------
set(CPACK_DEBIAN_PACKAGE_NAME "syncpilot")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)                 # syncpilot_<version>_<arch>.deb
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${SYNCPILOT_PACKAGE_MAINTAINER}")
set(CPACK_DEBIAN_PACKAGE_SECTION "devel")
set(CPACK_DEBIAN_PACKAGE_PRIORITY "optional")
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
# dpkg-shlibdeps adds what the executables link (libc6, libstdc++6, libqt6core6, libqt6widgets6,
# libqt6sql6, libqt6network6, QtKeychain, ...).
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# ... but not what Qt dlopen()s at run time. Each entry below is a plugin or file that only shows up
# when the program runs:
#   libqt6sql6-sqlite   sqldrivers/libqsqlite.so   (QSQLITE: the default local workspace)
#   libqt6sql6-psql     sqldrivers/libqsqlpsql.so  (QPSQL: shared team workspaces)
#   libqt6network6      tls/libqopensslbackend.so  (HTTPS to Google/Figma; pulls libssl3)
#   libqt6gui6          platforms/libqxcb.so, libqoffscreen.so (GUI; headless PDF export)
#   ca-certificates     /etc/ssl/certs, the CA store the OpenSSL TLS backend verifies against
set(_qt_min "${Qt6_VERSION_MAJOR}.${Qt6_VERSION_MINOR}")
set(CPACK_DEBIAN_PACKAGE_DEPENDS
    "libqt6sql6-sqlite (>= ${_qt_min}), libqt6sql6-psql (>= ${_qt_min}), libqt6network6 (>= ${_qt_min}), libqt6gui6 (>= ${_qt_min}), ca-certificates")
# QtKeychain dlopen()s libsecret and talks to a Secret Service (GNOME Keyring) or KWallet over
# D-Bus; without them OAuth tokens are not kept between sessions. qt6-wayland: native Wayland
# windows (else XWayland via xcb). libqt6svg6: SVG icons. xdg-utils: QDesktopServices::openUrl
# (the OAuth browser hand-off) outside GNOME/KDE.
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS
    "libsecret-1-0, gnome-keyring | kwalletmanager, qt6-wayland, libqt6svg6, xdg-utils")
# Qt's own strings (standard dialog buttons) in German and other languages.
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "qt6-translations-l10n")

# --- RPM (rpmbuild is not installed here: ready, untested) ----------------------------------------
set(CPACK_RPM_PACKAGE_NAME "syncpilot")
set(CPACK_RPM_FILE_NAME RPM-DEFAULT)
set(CPACK_RPM_PACKAGE_LICENSE "LicenseRef-proprietary")
set(CPACK_RPM_PACKAGE_GROUP "Development/Tools")
set(CPACK_RPM_PACKAGE_AUTOREQ ON)                       # rpm's find-requires ~ dpkg-shlibdeps
# Fedora package names for the same dlopen()ed pieces (openSUSE: qt6-sql-sqlite, qt6-sql-postgresql).
set(CPACK_RPM_PACKAGE_REQUIRES "qt6-qtbase >= ${_qt_min}, qt6-qtbase-gui >= ${_qt_min}, qt6-qtbase-postgresql >= ${_qt_min}, ca-certificates")
set(CPACK_RPM_PACKAGE_SUGGESTS "libsecret, gnome-keyring, qt6-qtwayland, qt6-qtsvg, xdg-utils")
# Directories owned by the filesystem / hicolor-icon-theme packages.
set(CPACK_RPM_EXCLUDE_FROM_AUTO_FILELIST_ADDITION
    /usr/share/applications /usr/share/metainfo /usr/share/icons /usr/share/icons/hicolor)
foreach(_size IN ITEMS 16 32 48 64 128 256)
    list(APPEND CPACK_RPM_EXCLUDE_FROM_AUTO_FILELIST_ADDITION
         /usr/share/icons/hicolor/${_size}x${_size} /usr/share/icons/hicolor/${_size}x${_size}/apps)
endforeach()
list(APPEND CPACK_RPM_EXCLUDE_FROM_AUTO_FILELIST_ADDITION
     /usr/share/icons/hicolor/scalable /usr/share/icons/hicolor/scalable/apps)

# --- Windows (NSIS / WiX) and macOS (DragNDrop), see README -----------------------------------------
set(CPACK_NSIS_DISPLAY_NAME "SyncPilot")
set(CPACK_NSIS_PACKAGE_NAME "SyncPilot")
set(CPACK_NSIS_ENABLE_UNINSTALL_BEFORE_INSTALL ON)
set(CPACK_NSIS_INSTALLED_ICON_NAME "bin\\syncpilot.exe")
set(CPACK_WIX_UPGRADE_GUID "945F2C41-E203-42D6-AA1A-5C07AA510EC4")   # never change: upgrades key on it
set(CPACK_WIX_PRODUCT_NAME "SyncPilot")
set(CPACK_DMG_VOLUME_NAME "SyncPilot")

include(CPack)
