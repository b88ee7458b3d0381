# The whole reception's machine time on the simulator and the kiosk screen's response to a touch
# (issue 5): the reception runner on a simulated board, its reader and line to the service
# wrapped to time them; face receptions with and without reading the card surface while the
# patient chooses (the face set from KIOSK_FACES_DIR or ../shared/faces).
add_executable(reception_bench ${CMAKE_CURRENT_SOURCE_DIR}/reception_bench.cpp)
target_include_directories(reception_bench PRIVATE ${PROJECT_SOURCE_DIR})
target_link_libraries(reception_bench PRIVATE kiosk_firmware_screen kiosk_core_reception kiosk_sim_board kiosk_sim_world
  PkgConfig::HTTPLIB CLI11::CLI11 Threads::Threads kiosk_warnings)
target_compile_definitions(reception_bench PRIVATE KIOSK_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
