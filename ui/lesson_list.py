"""The lesson list in course order: the navigation and the tests both read it from here."""

import dataclasses


@dataclasses.dataclass(frozen=True)
class Lesson:
    file: str  # path of the page, relative to the repository root
    title: str
    icon: str
    url_path: str
    summary: str


LESSONS = [
    Lesson(
        "lessons/rules_vs_data.py",
        "1. Rules vs data",
        ":material/rule:",
        "rules-vs-data",
        "Write a rule yourself, then let a model find it from examples.",
    ),
    Lesson(
        "lessons/hello_neuron.py",
        "2. Hello, neuron",
        ":material/neurology:",
        "hello-neuron",
        "Train one Dense unit on six numbers and predict x = 10.",
    ),
    Lesson(
        "lessons/fashion_mnist.py",
        "3. Fashion-MNIST",
        ":material/checkroom:",
        "fashion-mnist",
        "Train a dense network on 70,000 pictures of clothes; stop it at a target accuracy.",
    ),
    Lesson(
        "lessons/convolutions.py",
        "4. Convolutions",
        ":material/filter:",
        "convolutions",
        "Filter a picture by hand, then train the course's convnet and look inside it.",
    ),
    Lesson(
        "lessons/real_world_images.py",
        "5. Real-world images",
        ":material/photo_library:",
        "real-world-images",
        "Class folders become labels; train the horses-or-humans convnet; binary vs multiclass.",
    ),
    Lesson(
        "lessons/augmentation.py",
        "6. Augmentation",
        ":material/auto_fix_high:",
        "augmentation",
        "The course's ImageDataGenerator as sliders; train with and without, side by side.",
    ),
    Lesson(
        "lessons/transfer_learning.py",
        "7. Transfer learning",
        ":material/transfer_within_a_station:",
        "transfer-learning",
        "InceptionV3 frozen and cut at mixed7; a new head with and without Dropout, "
        "then fine-tuning.",
    ),
]
