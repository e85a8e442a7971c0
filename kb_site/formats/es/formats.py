# Spanish as the region writes amounts: a point between thousands and a decimal comma ("USD 2.383", "−2,5%"),
# rather than Django's default non-breaking space. Every other format is Django's own for Spanish.
DECIMAL_SEPARATOR = ","
THOUSAND_SEPARATOR = "."
NUMBER_GROUPING = 3
