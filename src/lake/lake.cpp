// placeholder so the module has a source until its parts land
