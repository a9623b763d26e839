"""Page-side helpers shared by the lessons: widgets and layout only, never Keras calls."""
