"""Calibration against project data (targets with sources, fitting, sensitivity): later issues."""
