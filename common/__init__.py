"""Deep Learning, Part 2: the shared building blocks every notebook imports."""
