# Memory over 10,000 receptions (issue 18, reliability 8): RSS per 1,000, drift < 2 MB.
add_executable(soak_bench ${CMAKE_CURRENT_SOURCE_DIR}/soak_bench.cpp)
target_include_directories(soak_bench PRIVATE ${PROJECT_SOURCE_DIR})
target_link_libraries(soak_bench PRIVATE kiosk_sim_scenario kiosk_sim_board kiosk_sim_world kiosk_core_reception CLI11::CLI11
  Threads::Threads kiosk_warnings)
