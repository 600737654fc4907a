"""drivers: the kiosk's hardware behind small Protocols, real and simulated, chosen by config.

Every device runs its I/O on its own worker thread with a timeout on every call (:mod:`drivers.worker`),
reports one health state (:mod:`drivers.health`) and fails only with the typed errors of
:mod:`drivers.errors`.

Import the module that holds what you need (``from drivers.build import build_devices``): the package
re-exports nothing, so importing one module (the config models, say) loads no other.
"""
