"""Data package holding ``chainrule.lark``; installed as ``dsl.grammar``."""
