# Debian packages of the firmware (CPack, DEB generator, one package per component):
#   kiosk      the field program: /usr/bin/kiosk, the kiosk screen's files in /usr/share/kiosk/web,
#              /etc/kiosk/kiosk.json (conffile), systemd units (kiosk, kiosk-screen, kiosk-health),
#              the RAUC health check; a `kiosk` system user owning /var/lib/kiosk (0700)
#   kiosk-sim  QA: kiosk-sim and face-eval (the simulator tools; Recommends vpcd)
# /usr/bin/kiosk links no simulator code (the build refuses it); `kiosk sim` only says where the
# simulator went and runs kiosk-sim when that package is installed.
#
# Included from the top-level CMakeLists.txt with -DKIOSK_PACKAGING=ON (presets `package` and
# `aarch64`), before the subdirectories: hardening flags apply to every target, and the install
# rules and CPack configuration are added once the whole project is read (cmake_language DEFER).
# Build the packages: cmake --build --preset package && (cd build/package && cpack)
include_guard(GLOBAL)
# Debian packages install into /usr (FHS); the compiled-in paths follow.
if(CMAKE_INSTALL_PREFIX_INITIALIZED_TO_DEFAULT)
  set(CMAKE_INSTALL_PREFIX /usr CACHE PATH "Installation prefix" FORCE)
endif()
include(GNUInstallDirs)

set(KIOSK_PACKAGING_DIR ${CMAKE_CURRENT_LIST_DIR})

# Debian's hardening (dpkg-buildflags: fortify, stack protector and clash protection, RELRO,
# BIND_NOW; PIE is GCC's default on Debian), so lintian's hardening checks pass.
add_compile_options(-fstack-protector-strong -fstack-clash-protection $<$<NOT:$<CONFIG:Debug>>:-D_FORTIFY_SOURCE=2>)
if(CMAKE_SYSTEM_PROCESSOR MATCHES "^(aarch64|arm64)$")
  add_compile_options(-mbranch-protection=standard)
  set(KIOSK_DEB_ARCH arm64)
elseif(CMAKE_SYSTEM_PROCESSOR MATCHES "^(x86_64|AMD64|amd64)$")
  add_compile_options(-fcf-protection)
  set(KIOSK_DEB_ARCH amd64)
else()
  execute_process(COMMAND dpkg --print-architecture OUTPUT_VARIABLE KIOSK_DEB_ARCH OUTPUT_STRIP_TRAILING_WHITESPACE)
endif()
add_link_options(-Wl,-z,relro -Wl,-z,now)

# The installed kiosk serves its screen from /usr/share/kiosk/web (firmware/screen/CMakeLists.txt).
set(KIOSK_WEB_DIR ${CMAKE_INSTALL_FULL_DATADIR}/kiosk/web CACHE PATH "Where the kiosk serves its screen's files from" FORCE)
# ... and its voice files from /var/cache/kiosk/voice, made by the postinst (kiosk voice-render).
set(KIOSK_VOICE_DIR /var/cache/kiosk/voice CACHE PATH "Where the kiosk screen finds its rendered voice files (kiosk voice-render)" FORCE)

function(kiosk_packaging_finish)
  # The kiosk screen's files: the source tree's firmware/screen/web, served from
  # /usr/share/kiosk/web by the installed kiosk (KIOSK_WEB_DIR, set above).
  set(web_source ${PROJECT_SOURCE_DIR}/firmware/screen/web)

  # --- kiosk ---------------------------------------------------------------------------------
  install(TARGETS kiosk RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT kiosk)
  install(DIRECTORY ${web_source}/ DESTINATION ${CMAKE_INSTALL_DATADIR}/kiosk/web
          COMPONENT kiosk FILE_PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ
          DIRECTORY_PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)
  install(FILES ${KIOSK_PACKAGING_DIR}/kiosk.json DESTINATION /etc/kiosk COMPONENT kiosk
          PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
  # The JPKI CA certificates the card's certificate chains to go here (docs/installation.md).
  install(DIRECTORY DESTINATION /etc/kiosk/jpki-ca COMPONENT kiosk)
  install(FILES ${KIOSK_PACKAGING_DIR}/systemd/kiosk.service ${KIOSK_PACKAGING_DIR}/systemd/kiosk-screen.service
                ${KIOSK_PACKAGING_DIR}/systemd/kiosk-health.service
          DESTINATION /lib/systemd/system COMPONENT kiosk PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
  install(PROGRAMS ${KIOSK_PACKAGING_DIR}/kiosk-health-check DESTINATION ${CMAKE_INSTALL_LIBEXECDIR}/kiosk COMPONENT kiosk)
  install(FILES ${KIOSK_PACKAGING_DIR}/lintian/kiosk DESTINATION ${CMAKE_INSTALL_DATADIR}/lintian/overrides
          COMPONENT kiosk PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)

  # --- kiosk-sim -----------------------------------------------------------------------------
  install(TARGETS kiosk-sim face-eval RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT kiosk-sim)
  install(FILES ${KIOSK_PACKAGING_DIR}/lintian/kiosk-sim DESTINATION ${CMAKE_INSTALL_DATADIR}/lintian/overrides
          COMPONENT kiosk-sim PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)

  # Documentation every Debian package carries (copyright, changelog compressed with gzip -9n).
  set(doc_build ${PROJECT_BINARY_DIR}/packaging-doc)
  file(MAKE_DIRECTORY ${doc_build})
  foreach(doc changelog:${KIOSK_PACKAGING_DIR}/debian/changelog installation.md:${PROJECT_SOURCE_DIR}/docs/installation.md)
    string(REPLACE ":" ";" doc "${doc}")
    list(GET doc 0 name)
    list(GET doc 1 source)
    add_custom_command(OUTPUT ${doc_build}/${name}.gz COMMAND gzip -9nc ${source} > ${doc_build}/${name}.gz
                       DEPENDS ${source} VERBATIM)
    list(APPEND doc_outputs ${doc_build}/${name}.gz)
  endforeach()
  add_custom_target(kiosk_packaging_docs ALL DEPENDS ${doc_outputs})
  foreach(component kiosk kiosk-sim)
    install(FILES ${KIOSK_PACKAGING_DIR}/debian/copyright ${doc_build}/changelog.gz
            DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/${component} COMPONENT ${component}
            PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
  endforeach()
  install(FILES ${doc_build}/installation.md.gz DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/kiosk COMPONENT kiosk
          PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)

  # --- CPack ---------------------------------------------------------------------------------
  set(CPACK_GENERATOR DEB)
  set(CPACK_DEB_COMPONENT_INSTALL ON)
  set(CPACK_COMPONENTS_ALL kiosk kiosk-sim)
  set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
  set(CPACK_STRIP_FILES ON)
  set(CPACK_PACKAGE_NAME kiosk)
  set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
  set(CPACK_PACKAGE_CONTACT "mynakiosk maintainers <kiosk-maintainers@example.com>")
  set(CPACK_PACKAGE_DIRECTORY ${PROJECT_BINARY_DIR}/packages)
  set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
  set(CPACK_DEBIAN_PACKAGE_ARCHITECTURE ${KIOSK_DEB_ARCH})
  set(CPACK_DEBIAN_PACKAGE_SECTION misc)
  set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
  set(CPACK_DEBIAN_COMPRESSION_TYPE xz)
  set(CPACK_DEBIAN_KIOSK_PACKAGE_NAME kiosk)
  set(CPACK_DEBIAN_KIOSK-SIM_PACKAGE_NAME kiosk-sim)
  # One string each (a list would join its lines with ';'); extended lines under 80 columns.
  string(CONCAT CPACK_COMPONENT_KIOSK_DESCRIPTION
         "clinic reception kiosk firmware for Japanese health insurance cards\n"
         "The firmware of a clinic reception kiosk: the patient places a My Number\n"
         "card (mynahokensho) on a PC/SC reader, is authenticated by face or PIN,\n"
         "and the kiosk confirms the insurance eligibility with the national\n"
         "service and hands the result to the reception system. Runs unattended\n"
         "under systemd (kiosk.service), with the kiosk screen in Chromium under\n"
         "cage (kiosk-screen.service) and a health check after updates\n"
         "(kiosk-health.service). Face models are not included.")
  string(CONCAT CPACK_COMPONENT_KIOSK-SIM_DESCRIPTION
         "QA tools for the clinic reception kiosk firmware\n"
         "kiosk-sim plays QA scenarios against the kiosk firmware on virtual time,\n"
         "issues simulated My Number cards from a simulated JPKI CA, serves them\n"
         "into a pcscd reader through vpcd and runs the simulated eligibility\n"
         "service; face-eval measures the face pipeline's accuracy. For QA\n"
         "machines, never for kiosks in the field.")
  # Run-time needs beyond shared libraries: the PC/SC service and USB reader driver; adduser
  # for the maintainer scripts; Tesseract's trained data for the card-surface reader (digits:
  # eng, date lines: jpn, second opinions: Japanese script, chi_sim, kor). vpcd is never a
  # dependency of the kiosk.
  set(CPACK_DEBIAN_KIOSK_PACKAGE_DEPENDS "adduser, pcscd, libccid, tesseract-ocr-eng, tesseract-ocr-jpn, tesseract-ocr-script-jpan, tesseract-ocr-chi-sim, tesseract-ocr-kor, espeak-ng, opus-tools")
  set(CPACK_DEBIAN_KIOSK_PACKAGE_RECOMMENDS "cage, chromium, fonts-noto-cjk")
  set(CPACK_DEBIAN_KIOSK_PACKAGE_SUGGESTS "rauc, prometheus-node-exporter")
  # kiosk-sim reads rendered card faces with the same OCR (trained data) and renders them in
  # CJK fonts.
  set(CPACK_DEBIAN_KIOSK-SIM_PACKAGE_DEPENDS "tesseract-ocr-eng, tesseract-ocr-jpn, tesseract-ocr-script-jpan, tesseract-ocr-chi-sim, tesseract-ocr-kor, fonts-noto-cjk | fonts-ipafont-gothic")
  set(CPACK_DEBIAN_KIOSK-SIM_PACKAGE_RECOMMENDS "pcscd, vsmartcard-vpcd, opensc, fonts-ipafont-gothic, fonts-ipafont-mincho")
  set(CPACK_DEBIAN_KIOSK_PACKAGE_CONTROL_EXTRA
      ${KIOSK_PACKAGING_DIR}/debian/postinst ${KIOSK_PACKAGING_DIR}/debian/prerm
      ${KIOSK_PACKAGING_DIR}/debian/postrm ${KIOSK_PACKAGING_DIR}/debian/conffiles)
  set(CPACK_DEBIAN_KIOSK_PACKAGE_CONTROL_STRICT_PERMISSION ON)
  if(CMAKE_CROSSCOMPILING)
    # dpkg-shlibdeps needs a dpkg database of the target architecture: computed at cpack time
    # by toolchain/packaging/cross-depends from the binaries' sonames (CPACK_PROJECT_CONFIG_FILE).
    set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS OFF)
    file(GENERATE OUTPUT ${PROJECT_BINARY_DIR}/CPackKioskCross.cmake CONTENT "
foreach(component KIOSK KIOSK-SIM)
  if(component STREQUAL KIOSK)
    set(elves \"$<TARGET_FILE:kiosk>\")
  else()
    set(elves \"$<TARGET_FILE:kiosk-sim>\" \"$<TARGET_FILE:face-eval>\")
  endif()
  execute_process(COMMAND ${KIOSK_PACKAGING_DIR}/cross-depends \${elves}
                  OUTPUT_VARIABLE shlibs OUTPUT_STRIP_TRAILING_WHITESPACE RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR \"cross-depends failed for \${elves}\")
  endif()
  if(CPACK_DEBIAN_\${component}_PACKAGE_DEPENDS)
    set(CPACK_DEBIAN_\${component}_PACKAGE_DEPENDS \"\${CPACK_DEBIAN_\${component}_PACKAGE_DEPENDS}, \${shlibs}\")
  else()
    set(CPACK_DEBIAN_\${component}_PACKAGE_DEPENDS \"\${shlibs}\")
  endif()
endforeach()
")
    set(CPACK_PROJECT_CONFIG_FILE ${PROJECT_BINARY_DIR}/CPackKioskCross.cmake)
  else()
    set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
  endif()
  include(CPack)
endfunction()

cmake_language(DEFER DIRECTORY ${CMAKE_SOURCE_DIR} CALL kiosk_packaging_finish)
