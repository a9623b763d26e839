"""Draw the convolution lesson's built-in pictures and save them as PNGs next to this script.

Run from anywhere:  python assets/make_filter_images.py

The pictures come from engine.filters.make_builtin_images(), so the PNGs and the code that can
redraw them never disagree (tests/engine/test_filters.py checks that they still match).
"""

import pathlib
import sys

from PIL import Image

REPOSITORY = pathlib.Path(__file__).resolve().parents[1]
# So that `engine` imports however the script was started.
sys.path.insert(0, str(REPOSITORY))

from engine import filters  # noqa: E402  (needs the path above)


def main():
    filters.BUILTIN_IMAGE_FOLDER.mkdir(parents=True, exist_ok=True)
    for name, pixels in filters.make_builtin_images().items():
        path = filters.builtin_image_path(name)
        Image.fromarray(pixels).save(path, optimize=True)
        print(f"{path.relative_to(REPOSITORY)}  {path.stat().st_size / 1000:.1f} KB")


if __name__ == "__main__":
    main()
