# The whole reception's machine time on the simulator and the kiosk screen's response to a touch
# (issue 5). Builds the firmware's runner and demo world from their sources (they belong to the
# kiosk executable, not to a library).
add_executable(reception_bench ${CMAKE_CURRENT_SOURCE_DIR}/reception_bench.cpp
  ${PROJECT_SOURCE_DIR}/firmware/kiosk/reception_runner.cpp
  ${PROJECT_SOURCE_DIR}/firmware/kiosk/demo_world.cpp)
target_include_directories(reception_bench PRIVATE ${PROJECT_SOURCE_DIR})
target_link_libraries(reception_bench PRIVATE kiosk_web_frontend kiosk_core_verification kiosk_core_reception
  kiosk_core_journal kiosk_core_face kiosk_core_eligibility kiosk_drivers_https kiosk_drivers_system kiosk_sim_eligibility
  kiosk_sim_camera kiosk_sim_card kiosk_sim_ca PkgConfig::HTTPLIB CLI11::CLI11 Threads::Threads kiosk_warnings)
