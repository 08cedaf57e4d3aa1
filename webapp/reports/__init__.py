"""半年经验总结报告 and the 典型案例 gallery (SPEC R10)."""
