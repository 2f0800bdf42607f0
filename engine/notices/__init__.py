"""Notices the city mails: the catalog of notice types, and rendering them to mailing-ready PDFs."""
from engine.notices.catalog import LANGUAGES, NOTICE_TYPES, NoticeDataError, NoticeType, notice_type
from engine.notices.render import NoticeRenderer
from engine.notices.wkhtmltopdf import PdfRenderError

__all__ = ["LANGUAGES", "NOTICE_TYPES", "NoticeDataError", "NoticeRenderer", "NoticeType",
           "PdfRenderError", "notice_type"]
