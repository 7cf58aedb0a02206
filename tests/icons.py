"""Read an icon array (treatments/templatetags/evidence.py) back as the 10 by 10 figures a patient sees."""

import re

RECT = re.compile(
    r'<rect x="(\d+)" y="(\d+)" width="(\d+)" height="(\d+)" fill="url\(#icon-figure-(filled|outline)\)"/>'
)
CELL = 14
SIZE = 10


def figures(svg_body):
    """The figures in reading order, True for filled; fails unless the rectangles tile the grid exactly once."""
    grid = {}
    for x, y, width, height, kind in RECT.findall(svg_body):
        x, y, width, height = (int(n) for n in (x, y, width, height))
        assert x % CELL == y % CELL == width % CELL == height % CELL == 0, "a figure cut in part"
        for row in range(y // CELL, (y + height) // CELL):
            for column in range(x // CELL, (x + width) // CELL):
                assert (row, column) not in grid, "two figures in one place"
                grid[row, column] = kind == "filled"
    assert sorted(grid) == [(row, column) for row in range(SIZE) for column in range(SIZE)], "not 100 figures"
    return [grid[row, column] for row in range(SIZE) for column in range(SIZE)]


def filled_first(svg_body, count):
    """True if exactly the first `count` figures, read row by row, are filled."""
    return figures(svg_body) == [True] * count + [False] * (SIZE * SIZE - count)
