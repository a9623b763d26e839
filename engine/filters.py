"""Convolutions are like filters: course 1, week 3, done by hand with numpy.

The story of the lesson, in the order this file tells it:

1. a filter (kernel) is a 3x3 grid of numbers; a few famous ones are `PRESETS`;
2. `parse_kernel()` turns what a learner typed into those numbers, or says which cell is wrong;
3. `convolve()` slides the kernel over a grayscale picture: each output pixel is the sum of the
   3x3 neighbourhood times the kernel, times the course's "weight". Like `tf.nn.conv2d` (and
   unlike a maths textbook) the kernel is not flipped, and "valid" means no padding, so an
   n x n picture comes out (n-2) x (n-2);
4. `relu()` turns negative values to 0 and `max_pool()` keeps the largest of each 2x2 block,
   halving the size, as `MaxPooling2D(2, 2)` does; `pipeline()` runs all three steps;
5. `make_builtin_images()` draws the pictures the lesson filters, so no photo comes from
   elsewhere; `load_builtin_image()` reads the copies saved in `assets/filter_images/`.

The tests check `convolve` and `max_pool` against TensorFlow itself.
"""

import dataclasses
import math
import numbers
import pathlib

import numpy
from PIL import Image

# Kernels are 3 rows of 3 numbers, written the way the course writes them.
PRESETS = {
    "identity": [[0, 0, 0], [0, 1, 0], [0, 0, 0]],
    "edges (the course's first)": [[0, 1, 0], [1, -4, 1], [0, 1, 0]],
    "horizontal lines (the course's second)": [[-1, -2, -1], [0, 0, 0], [1, 2, 1]],
    "vertical lines": [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]],
    "sharpen": [[0, -1, 0], [-1, 5, -1], [0, -1, 0]],
    "box blur": [[1 / 9, 1 / 9, 1 / 9], [1 / 9, 1 / 9, 1 / 9], [1 / 9, 1 / 9, 1 / 9]],
    "emboss": [[-2, -1, 0], [-1, 1, 1], [0, 1, 2]],
}

PRESET_EXPLANATIONS = {
    "identity": "Only the centre pixel counts, so the picture comes out unchanged, just 2 pixels "
    "smaller. It is the starting point to compare every other filter with.",
    "edges (the course's first)": "Each pixel is compared with its four neighbours: where they "
    "all match the result is 0, where brightness changes it is not. So outlines in every "
    "direction light up and flat areas go dark.",
    "horizontal lines (the course's second)": "The row below is added and the row above "
    "subtracted, so only changes from top to bottom survive. Horizontal lines and the tops and "
    "bottoms of shapes stand out, while vertical lines disappear.",
    "vertical lines": "The column on the right is added and the column on the left subtracted, "
    "so only changes from left to right survive. Vertical lines and the sides of shapes stand "
    "out, while horizontal lines disappear.",
    "sharpen": "The centre pixel counts five times and its four neighbours are taken away, so "
    "flat areas stay the same while edges get extra contrast. Fine details look crisper.",
    "box blur": "Every output pixel is the average of its 3x3 neighbourhood. Sharp edges and "
    "small details are smoothed away, like looking through frosted glass.",
    "emboss": "Pixels towards the bottom right are added and those towards the top left "
    "subtracted, on top of the original. Edges look raised or carved, as if lit from one side.",
}

# Far beyond any useful filter; larger values only make the picture's numbers explode.
LARGEST_KERNEL_VALUE = 1e6
TYPE_A_NUMBER = "type a number such as -1, 0 or 0.5"


def preset_cells(name: str) -> list:
    """A fresh copy of a preset's 3x3 numbers, safe for a page to edit."""
    if name not in PRESETS:
        raise ValueError(f"There is no filter called {name!r}; choose one of {list(PRESETS)}.")
    return [list(row) for row in PRESETS[name]]


def _cell_value(cell, row: int, column: int) -> float:
    """One typed cell as a float, or a ValueError naming where it is."""
    where = f"Row {row}, column {column}"
    if cell is None or (isinstance(cell, str) and not cell.strip()):
        raise ValueError(f"{where} of the kernel is empty; {TYPE_A_NUMBER}.")
    if isinstance(cell, str):
        # Learners paste from documents that use the typographic minus sign.
        text = cell.strip().replace("\u2212", "-")
        try:
            value = float(text)
        except ValueError:
            raise ValueError(f"{where} of the kernel is {cell.strip()!r}, which is not a "
                             f"number; {TYPE_A_NUMBER}.") from None
    elif isinstance(cell, numbers.Real) and not isinstance(cell, (bool, numpy.bool_)):
        value = float(cell)
        if math.isnan(value):  # a data editor hands an emptied number cell back as NaN
            raise ValueError(f"{where} of the kernel is empty; {TYPE_A_NUMBER}.")
    else:
        raise ValueError(f"{where} of the kernel is {cell!r}, which is not a number; "
                         f"{TYPE_A_NUMBER}.")
    if not math.isfinite(value):
        raise ValueError(f"{where} of the kernel is {cell!r}, which is not a finite number; "
                         f"{TYPE_A_NUMBER}.")
    if abs(value) > LARGEST_KERNEL_VALUE:
        raise ValueError(f"{where} of the kernel is {value:g}, far too large to be useful; "
                         "keep kernel values between -1,000,000 and 1,000,000.")
    return value


def parse_kernel(cells) -> numpy.ndarray:
    """Turn 3 rows of 3 typed cells (numbers or strings) into a (3, 3) float64 array."""
    if hasattr(cells, "to_numpy"):  # a pandas DataFrame from st.data_editor
        cells = cells.to_numpy(dtype=object)
    if hasattr(cells, "tolist"):
        cells = cells.tolist()
    if isinstance(cells, (str, bytes)) or not hasattr(cells, "__len__"):
        raise ValueError("The kernel must be 3 rows of 3 numbers, not a single value.")
    if len(cells) != 3:
        raise ValueError(f"The kernel has {len(cells)} rows; it needs exactly 3 rows of "
                         "3 numbers.")
    kernel = numpy.zeros((3, 3), dtype=numpy.float64)
    for row_index, row in enumerate(cells):
        if isinstance(row, (str, bytes)) or not hasattr(row, "__len__"):
            raise ValueError(f"Row {row_index + 1} of the kernel is {row!r}; each row must "
                             "be a list of 3 numbers.")
        if len(row) != 3:
            raise ValueError(f"Row {row_index + 1} of the kernel has {len(row)} values; each "
                             "row needs exactly 3 (columns 1 to 3).")
        for column_index, cell in enumerate(row):
            kernel[row_index, column_index] = _cell_value(cell, row_index + 1, column_index + 1)
    return kernel


def _finite_weight(weight) -> float:
    try:
        value = float(weight)
    except (TypeError, ValueError):
        raise ValueError(f"The weight must be a number, not {weight!r}.") from None
    if not math.isfinite(value):
        raise ValueError(f"The weight must be a finite number, not {weight!r}.")
    return value


def _finite_grid(values, what: str) -> numpy.ndarray:
    """A 2-D float64 copy of `values`, or a ValueError saying why it is not a picture."""
    try:
        grid = numpy.array(values, dtype=numpy.float64)
    except (TypeError, ValueError):
        raise ValueError(f"The {what} must be a grid of numbers.") from None
    if grid.ndim != 2:
        raise ValueError(f"The {what} must be a 2-D grayscale grid, but it has shape "
                         f"{grid.shape}; convert colour pictures to grayscale first.")
    if not numpy.isfinite(grid).all():
        raise ValueError(f"The {what} contains values that are not finite numbers.")
    return grid


def describe_kernel(kernel, weight=1.0) -> str:
    """A sentence or two on what the kernel does to flat (evenly coloured) areas."""
    kernel = parse_kernel(kernel)
    weight = _finite_weight(weight)
    if not kernel.any() or weight == 0:
        return ("Every number is multiplied by 0, so every output pixel will be 0: "
                "the filtered picture will be all zero (black).")
    # On a flat area every neighbour has the same value v, so the output is v * sum * weight.
    total = float(kernel.sum()) * weight
    if abs(total) < 1e-9:
        return ("The numbers add up to 0, so flat areas become 0 and only changes in "
                "brightness (edges) survive.")
    if abs(total - 1) < 1e-9:
        return "The numbers add up to 1, so flat areas keep their brightness."
    if total > 0:
        change = "brighter" if total > 1 else "darker"
        return (f"The numbers (times the weight) add up to {total:g}, so flat areas come out "
                f"{total:g} times as bright: {change} than the original.")
    return (f"The numbers (times the weight) add up to {total:g}, so flat areas come out "
            "negative, and ReLU then turns them to 0 (black).")


def convolve(image, kernel, weight=1.0) -> numpy.ndarray:
    """Slide the 3x3 kernel over the image ('valid', no flip) and scale by weight."""
    image = _finite_grid(image, "image")
    kernel = parse_kernel(kernel)
    weight = _finite_weight(weight)
    if image.shape[0] < 3 or image.shape[1] < 3:
        raise ValueError(f"The image is {image.shape[0]}x{image.shape[1]} pixels; a 3x3 "
                         "filter needs at least 3x3 pixels.")
    # windows[i, j] is the 3x3 neighbourhood whose top-left corner is pixel (i, j): a view,
    # not a copy, so no pixel is visited by a Python loop.
    windows = numpy.lib.stride_tricks.sliding_window_view(image, (3, 3))
    with numpy.errstate(over="ignore", invalid="ignore"):
        result = numpy.einsum("ijkl,kl->ij", windows, kernel) * weight
    if not numpy.isfinite(result).all():
        if abs(weight) > 1:
            raise ValueError("The weight is so large the numbers overflow; try a weight "
                             "between -1000 and 1000.")
        raise ValueError("The image values are so large the numbers overflow; scale the "
                         "image to 0..255 first.")
    return result


def relu(values) -> numpy.ndarray:
    """Negative values become 0, the rest stay: what Conv2D(activation='relu') adds."""
    values = numpy.asarray(values, dtype=numpy.float64)
    return numpy.where(values > 0, values, 0.0)


def max_pool(values, size=2) -> numpy.ndarray:
    """Keep the largest value of each size x size block, stride = size, no padding.

    Like MaxPooling2D(2, 2): a 13x13 grid gives 6x6, the last row and column are dropped.
    """
    values = _finite_grid(values, "grid to pool")
    if isinstance(size, bool) or not isinstance(size, numbers.Integral) or size < 1:
        raise ValueError(f"The pooling size must be a whole number of at least 1, not {size!r}.")
    rows, columns = values.shape[0] // size, values.shape[1] // size
    if rows == 0 or columns == 0:
        raise ValueError(f"The grid is {values.shape[0]}x{values.shape[1]}; {size}x{size} "
                         f"pooling needs at least {size}x{size} values.")
    # Cut to whole blocks, then give each block its own two axes and take their maximum.
    blocks = values[: rows * size, : columns * size].reshape(rows, size, columns, size)
    return blocks.max(axis=(1, 3))


@dataclasses.dataclass
class FilterPipeline:
    """Each step of Conv2D + ReLU + MaxPooling2D on one picture, for the page to show."""

    image: numpy.ndarray
    convolved: numpy.ndarray
    after_relu: numpy.ndarray
    pooled: numpy.ndarray

    @property
    def shapes(self) -> dict:
        return {step: getattr(self, step).shape
                for step in ("image", "convolved", "after_relu", "pooled")}


def pipeline(image, kernel, weight=1.0) -> FilterPipeline:
    """Convolve, apply ReLU, then 2x2 max pooling: 28x28 -> 26x26 -> 26x26 -> 13x13."""
    image = _finite_grid(image, "image")
    if image.shape[0] < 4 or image.shape[1] < 4:
        raise ValueError(f"The image is {image.shape[0]}x{image.shape[1]} pixels; to filter "
                         "and then pool it needs at least 4x4 pixels.")
    convolved = convolve(image, kernel, weight)
    after_relu = relu(convolved)
    return FilterPipeline(image, convolved, after_relu, max_pool(after_relu, 2))


# The built-in pictures: drawn with numpy so they are identical on every machine.
BUILTIN_IMAGE_FOLDER = pathlib.Path(__file__).resolve().parents[1] / "assets" / "filter_images"
BUILTIN_IMAGE_NAMES = ("staircase", "checkerboard with a circle", "diagonal stripes", "bricks",
                       "a house")
DARK, MID, LIGHT = 30, 128, 225


def _staircase(size, rows, columns):
    # Five steps climbing to the right: each has a flat top (horizontal) and a riser (vertical).
    step_width = size // 5
    step = numpy.minimum(columns // step_width, 4)
    top_of_step = size - (step + 1) * (size // 6)
    return numpy.where(rows >= top_of_step, LIGHT, DARK)


def _checkerboard_with_a_circle(size, rows, columns):
    square = max(size // 8, 1)
    board = numpy.where((rows // square + columns // square) % 2 == 0, LIGHT, DARK)
    # A round shape: its edge runs in every direction, unlike the squares' edges.
    centre, radius = (size - 1) / 2, size * 0.3
    inside = (rows - centre) ** 2 + (columns - centre) ** 2 <= radius**2
    return numpy.where(inside, MID, board)


def _diagonal_stripes(size, rows, columns):
    stripe = max(size // 10, 1)
    return numpy.where(((rows + columns) // stripe) % 2 == 0, LIGHT, DARK)


def _bricks(size, rows, columns):
    brick_height, brick_width, mortar = max(size // 8, 2), max(size // 4, 2), max(size // 64, 1)
    course = rows // brick_height
    shifted = columns + (course % 2) * (brick_width // 2)  # every other row is offset
    brick = shifted // brick_width
    # Each brick gets its own shade, the same on every run.
    shade_grid = (course.max() + 1, brick.max() + 1)
    shades = numpy.random.default_rng(7).integers(70, 130, size=shade_grid)
    picture = shades[course, brick]
    is_mortar = (rows % brick_height < mortar) | (shifted % brick_width < mortar)
    return numpy.where(is_mortar, LIGHT, picture)


def _draw_segment(canvas, start, end, thickness):
    """Mark the pixels near the segment from start to end (row, column pairs)."""
    steps = int(max(abs(end[0] - start[0]), abs(end[1] - start[1]))) * 2 + 1
    along = numpy.linspace(0.0, 1.0, steps)
    line_rows = numpy.rint(start[0] + along * (end[0] - start[0])).astype(int)
    line_columns = numpy.rint(start[1] + along * (end[1] - start[1])).astype(int)
    for row_offset in range(thickness):
        for column_offset in range(thickness):
            canvas[numpy.clip(line_rows + row_offset, 0, canvas.shape[0] - 1),
                   numpy.clip(line_columns + column_offset, 0, canvas.shape[1] - 1)] = LIGHT


def _house(size, rows, columns):
    canvas = numpy.full((size, size), DARK)
    thickness = max(size // 64, 1)
    unit = size / 16  # the drawing is laid out on a 16x16 grid, then scaled

    def box(top, left, bottom, right):
        corners = [(top, left), (top, right), (bottom, right), (bottom, left)]
        for start, end in zip(corners, corners[1:] + corners[:1]):
            _draw_segment(canvas, [c * unit for c in start], [c * unit for c in end], thickness)

    box(7, 3, 14, 13)  # walls
    box(10, 7, 14, 9)  # door
    box(8.5, 4, 10.5, 6)  # windows
    box(8.5, 10, 10.5, 12)
    for start, end in [((7, 2), (2.5, 8)), ((2.5, 8), (7, 14)), ((14, 0), (14, 15.9))]:
        _draw_segment(canvas, [c * unit for c in start], [c * unit for c in end], thickness)
    # A sun in the corner: a ring, so the picture has curves as well as straight lines.
    distance = numpy.hypot(rows - 2.5 * unit, columns - 13 * unit)
    canvas[numpy.abs(distance - 1.5 * unit) < thickness] = LIGHT
    return canvas


_DRAWERS = {
    "staircase": _staircase,
    "checkerboard with a circle": _checkerboard_with_a_circle,
    "diagonal stripes": _diagonal_stripes,
    "bricks": _bricks,
    "a house": _house,
}


def make_builtin_images(size=128) -> dict:
    """Draw every built-in picture as a size x size uint8 grayscale array."""
    if isinstance(size, bool) or not isinstance(size, numbers.Integral) or not 16 <= size <= 1024:
        raise ValueError(f"The picture size must be a whole number from 16 to 1024, not {size!r}.")
    rows, columns = numpy.indices((size, size))
    return {name: _DRAWERS[name](int(size), rows, columns).astype(numpy.uint8)
            for name in BUILTIN_IMAGE_NAMES}


def builtin_image_path(name: str) -> pathlib.Path:
    """Where the PNG copy of a built-in picture lives, e.g. assets/filter_images/a_house.png."""
    if name not in BUILTIN_IMAGE_NAMES:
        raise ValueError(f"There is no built-in picture called {name!r}; choose one of "
                         f"{list(BUILTIN_IMAGE_NAMES)}.")
    return BUILTIN_IMAGE_FOLDER / (name.replace(" ", "_") + ".png")


def load_builtin_image(name: str) -> numpy.ndarray:
    """The built-in picture as a 2-D uint8 array, read from assets (drawn if the file is gone)."""
    path = builtin_image_path(name)
    if not path.exists():
        return make_builtin_images()[name]
    with Image.open(path) as picture:
        return numpy.asarray(picture.convert("L"), dtype=numpy.uint8).copy()


def grayscale_picture(image: Image.Image, longest_side: int = 160) -> numpy.ndarray:
    """An uploaded picture (already opened safely by engine/images.py) as a small grey
    uint8 array: small enough to filter instantly and to hover over pixel by pixel."""
    grey = image.convert("L")
    grey.thumbnail((longest_side, longest_side), Image.LANCZOS)
    return numpy.asarray(grey)
