"""TEST STAND-IN for PlatformIO Core, used only by create-pio-docker's tests. This is NOT PlatformIO.

The real package cannot be installed where the tests run (no PyPI), so this small package takes
its name (`platformio`) and its console scripts (`pio`, `platformio`). See __main__.py and
test/standin/README.md for what it implements.
"""
