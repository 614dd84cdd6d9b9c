# tests: loader
