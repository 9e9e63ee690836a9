"""Calibration: fit a model's parameters to observed KPIs, with honest uncertainty.

History matching on Gaussian-process emulators cuts the parameter box to what is not ruled out,
importance sampling on the emulators gives the posterior, and the simulator itself checks the fit
at posterior draws (:mod:`.calibrate`). :mod:`.sensitivity` says which parameters matter and
:mod:`.counterfactual` replays one site's participants under another site's design.
"""

from samflode.experiments.calibration.calibrate import (
    Calibration,
    CalibrationError,
    calibrate,
    validate_inputs,
)

__all__ = ["Calibration", "CalibrationError", "calibrate", "validate_inputs"]
