"""Quarterly district plans (季度计划): list, compile, record/return, urge, Excel exports."""
