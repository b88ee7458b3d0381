# The eligibility service's load benchmark (run by toolchain/run-tests after the tests, like
# apdu_bench): confirmations/s and p50/p99 latency over mutual TLS with keep-alive on loopback.
add_executable(eligibility_load ${CMAKE_CURRENT_SOURCE_DIR}/eligibility_load.cpp)
target_include_directories(eligibility_load PRIVATE ${PROJECT_SOURCE_DIR})
target_link_libraries(eligibility_load PRIVATE kiosk_core_eligibility kiosk_drivers_https kiosk_sim_eligibility kiosk_test_cards
                                               kiosk_warnings)
