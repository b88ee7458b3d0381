# scenario_bench: QA scenarios per second on virtual time (prints figures; not a test).
add_executable(scenario_bench ${CMAKE_CURRENT_LIST_DIR}/scenario_bench.cpp)
target_include_directories(scenario_bench PRIVATE ${PROJECT_SOURCE_DIR})
target_compile_definitions(scenario_bench PRIVATE KIOSK_SOURCE_DIR="${PROJECT_SOURCE_DIR}" KIOSK_BINARY_DIR="${PROJECT_BINARY_DIR}")
target_link_libraries(scenario_bench PRIVATE kiosk_sim_scenario kiosk_warnings)
