"""Report forms (监管报表): forms as data, reports filled for a period, reviewed, locked, exported; due dates."""
