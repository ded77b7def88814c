__version__: str
__build_profile__: str
