"""The serial ESC/POS receipt printer, under the name older code and the tests import it by.

The printer itself is `drivers.escpos.EscposPrinter` over a `drivers.escpos_transports` transport.
"""

from drivers.escpos import EscposSerialPrinter, PrinterFlags, encode_cp1258, receipt_bytes

__all__ = ["EscposSerialPrinter", "PrinterFlags", "encode_cp1258", "receipt_bytes"]
