"""Model files and code export. The binning's JSON form and the validated field reader are the
shared parts every model's file uses."""

from glassbox.export._binning import binning_from_dict, binning_to_dict
from glassbox.export._fields import Fields, ModelFileError

__all__ = ["Fields", "ModelFileError", "binning_from_dict", "binning_to_dict"]
