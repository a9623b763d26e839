"""The Keras side of Keras Classroom: datasets, recipes, training, charts. No widgets here."""

import os

# TensorFlow prints several lines of C++ start-up logs; keep the console readable for
# teachers unless they asked for logs themselves.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
