# kiosk_web_frontend: the kiosk screen served to a browser (HTTP + Server-Sent Events on
# loopback), with its staff pages; kiosk_staff: staff authentication (staff_auth.*) and the
# `kiosk staff-passcode` command. Included from firmware/kiosk/CMakeLists.txt:
#   include(${CMAKE_CURRENT_LIST_DIR}/web_frontend.cmake)
# The page's files stay in the source tree (firmware/kiosk/web); KIOSK_WEB_DIR is the default
# directory WebFrontend serves them from (WebFrontendConfig::web_dir overrides it).
if(NOT TARGET kiosk_staff)
  add_library(kiosk_staff STATIC
    ${CMAKE_CURRENT_LIST_DIR}/staff_auth.cpp
    ${CMAKE_CURRENT_LIST_DIR}/staff_passcode_command.cpp)
  target_include_directories(kiosk_staff PUBLIC ${PROJECT_SOURCE_DIR})
  target_link_libraries(kiosk_staff
    PUBLIC kiosk_core_journal kiosk_core_card
    PRIVATE kiosk_core_crypto OpenSSL::Crypto kiosk_warnings)
endif()
if(NOT TARGET kiosk_web_frontend)
  add_library(kiosk_web_frontend STATIC
    ${CMAKE_CURRENT_LIST_DIR}/web_frontend.cpp
    ${CMAKE_CURRENT_LIST_DIR}/screen_json.cpp)
  target_include_directories(kiosk_web_frontend PUBLIC ${PROJECT_SOURCE_DIR})
  target_compile_definitions(kiosk_web_frontend PRIVATE KIOSK_WEB_DIR="${CMAKE_CURRENT_LIST_DIR}/web")
  target_link_libraries(kiosk_web_frontend
    PUBLIC kiosk_core_reception kiosk_staff nlohmann_json::nlohmann_json
    PRIVATE kiosk_core_card PkgConfig::HTTPLIB Threads::Threads kiosk_warnings)
endif()
