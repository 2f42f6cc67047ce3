"""Rendering of files and pictures: digest charts, export workbooks, import reports."""
