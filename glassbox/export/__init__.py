"""Model files and code export.

:func:`save` / :func:`load` write and read versioned JSON model files (``docs/model-format.md``);
:func:`to_dict` / :func:`from_dict` are the same without a file, for tools that hold the JSON
themselves, and :func:`csv_options` reads what a model file records of how its training CSV was
read. The binning's JSON form and the validated field reader are the shared parts every
model's file uses. :func:`to_sql` and :func:`to_python` are what ``model.to_sql()`` and
``model.to_python()`` return: code computing the model's predictions without glassbox.
"""

from glassbox.export._binning import binning_from_dict, binning_to_dict
from glassbox.export._fields import Fields, ModelFileError
from glassbox.export._model_file import FORMAT_VERSION, csv_options, from_dict, load, save, to_dict
from glassbox.export._python import to_python
from glassbox.export._sql import to_sql

__all__ = ["FORMAT_VERSION", "Fields", "ModelFileError", "binning_from_dict", "binning_to_dict", "csv_options",
           "from_dict", "load", "save", "to_dict", "to_python", "to_sql"]
