# The face pipeline's speed and memory figures (run after the tests, like apdu_bench):
# per-frame detect/embed time on 640x480 frames, frames per second, time from a face appearing
# to the decision on a real-time virtual camera, peak RSS with the models loaded.
add_executable(face_bench ${CMAKE_CURRENT_SOURCE_DIR}/face_bench.cpp)
target_include_directories(face_bench PRIVATE ${PROJECT_SOURCE_DIR})
target_compile_definitions(face_bench PRIVATE KIOSK_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
                                              KIOSK_BUILD_TYPE="${CMAKE_BUILD_TYPE}")
target_link_libraries(face_bench PRIVATE kiosk_core_face kiosk_sim_camera kiosk_sim_card kiosk_warnings)
