boot arch=sparc
