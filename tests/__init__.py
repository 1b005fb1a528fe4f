"""The test suite, a package so that its helper modules have one name each (``tests.localserver``,
``tests.fakes``, ...) and never merge with a ``tests`` folder another distribution installs into
site-packages (tf2onnx ships one).  pytest puts the repository root first on ``sys.path``."""
