# common codelets
