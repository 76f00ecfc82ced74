"""Local AWS endpoint: moto and an Amplify Hosting emulator behind one port."""
