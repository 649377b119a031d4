"""The bundled DfE extract and what is derived from it: baselines and calibration."""
