# tests: runtime
