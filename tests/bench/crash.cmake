# The kiosk killed with SIGKILL at random moments of 200 receptions (issue 18): journal, result
# files and card files checked after every kill.
add_executable(crash_bench ${CMAKE_CURRENT_SOURCE_DIR}/crash_bench.cpp)
target_include_directories(crash_bench PRIVATE ${PROJECT_SOURCE_DIR})
target_link_libraries(crash_bench PRIVATE kiosk_sim_card SQLite::SQLite3 pugixml::pugixml CLI11::CLI11 kiosk_warnings)
if(TARGET kiosk-sim)
  target_compile_definitions(crash_bench PRIVATE KIOSK_SIM_EXE="$<TARGET_FILE:kiosk-sim>")
  add_dependencies(crash_bench kiosk-sim)
endif()
