"""The one colour palette of every chart, Okabe-Ito (colour-blind safe): matplotlib figures and the small
inline SVG charts of the widget pages use these, so both read the same."""

OKABE_ITO: dict[str, str] = {
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "purple": "#CC79A7",
    "black": "#000000",
    "grey": "#999999",
}
